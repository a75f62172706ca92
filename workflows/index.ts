export { uid2SubscriptionApproval } from './uid2-subscription-approval';
export { prepareIdentityData } from './prepare-identity-data';
