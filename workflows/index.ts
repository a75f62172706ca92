export { uid2SubscriptionApproval } from './uid2-subscription-approval';
export { prepareIdentityData } from './prepare-identity-data';
export { uid2Matching } from './uid2-matching';
export { erJobQueue } from './er-job-queue';
export { groupByKey } from './group-by-key';
export { amcIdMapping } from './amc-id-mapping';
export { amcIdMappingInputArrived } from './amc-id-mapping-notify';
export { audienceUpload } from './audience-upload';
