import { GROUP_BY_KEY_FAILED } from '../../../schemas/failures';

/** Grouping that cannot go on: a shard past its memory bound, or shard objects that do not add up. Names shards and counts only. */
export class GroupByKeyError extends Error {
  override name = GROUP_BY_KEY_FAILED;
}
