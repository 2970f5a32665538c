export { importVitrineOrders, progressQuery } from './importVitrineOrders';
export { deliverPlatformNotifications, notificationsQueuedSignal } from './deliverPlatformNotifications';
