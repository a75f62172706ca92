export { uid2SubscriptionApproval } from './uid2-subscription-approval';
