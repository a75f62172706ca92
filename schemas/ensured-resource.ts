/** What a drift check found: each differing field with the value AWS has and the value the config wants (ids, names and paths only). */
export interface FieldDrift {
  field: string;
  current: string;
  wanted: string;
}

/** A resource an activity ensured: created, found as wanted, or updated (with what differed). */
export interface EnsuredResource {
  name: string;
  arn: string;
  action: 'created' | 'unchanged' | 'updated';
  drift: FieldDrift[];
}
