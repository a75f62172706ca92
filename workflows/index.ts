export { uid2SubscriptionApproval } from './uid2-subscription-approval/uid2-subscription-approval';
export { prepareIdentityData } from './preparation/prepare-identity-data';
export { uid2Matching } from './uid2-matching/uid2-matching';
export { erJobQueue } from './er-job-queue/er-job-queue';
export { groupByKey } from './preparation/group-by-key';
export { amcIdMapping } from './amc-id-mapping/amc-id-mapping';
export { amcIdMappingInputArrived } from './amc-id-mapping/amc-id-mapping-notify';
export { audienceUpload } from './audience-upload/audience-upload';
