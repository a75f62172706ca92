import { SandboxError } from '../protocols/errors';
import { paginate } from './paginate';

/** Glue list operations the sandbox pages itself, because moto answers them whole whatever MaxResults says; each with its list member. */
export const GLUE_PAGED_LISTS: Readonly<Record<string, string>> = { GetDatabases: 'DatabaseList', GetTables: 'TableList' };
/** Glue's page size when MaxResults is not given, and the model's maximum. */
const GLUE_PAGE_SIZE = 100;

type Input = Record<string, unknown>;

/** The request the emulator gets for the whole list: the caller's input without its paging members. */
export function wholeListInput({ MaxResults: _max, NextToken: _token, ...rest }: Input): Input {
  return rest;
}

/**
 * The page the caller asked for out of the emulator's whole answer, with a NextToken the sandbox issued.
 * A NextToken the sandbox did not issue is Glue's InvalidInputException (its list operations model no ValidationException for it).
 */
export function glueListPage(listMember: string, input: Input, whole: Input): Input {
  const items = Array.isArray(whole[listMember]) ? (whole[listMember] as unknown[]) : [];
  try {
    const { page, nextToken } = paginate(items, input.MaxResults as number | undefined, input.NextToken as string | undefined, GLUE_PAGE_SIZE);
    const { NextToken: _emulators, ...rest } = whole;
    return { ...rest, [listMember]: page, ...(nextToken ? { NextToken: nextToken } : {}) };
  } catch (err) {
    if (err instanceof SandboxError) throw new SandboxError(400, 'InvalidInputException', 'Invalid NextToken');
    throw err;
  }
}
