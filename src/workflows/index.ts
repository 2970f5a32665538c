export { importVitrineOrders, progressQuery } from './importVitrineOrders';
