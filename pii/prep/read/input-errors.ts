import { PREP_INPUT_ERROR } from '../../../schemas/failures';

/**
 * Input the data's owner must fix. Its message names objects, columns, counts and byte offsets, never a
 * value: it is shown on terminals and sent to Temporal, and a file without a header line has a data row
 * where its column names should be.
 */
export class PrepInputError extends Error {
  override name = PREP_INPUT_ERROR;
}
