export { startWarehouseGateway, type WarehouseGateway, type WarehouseGatewayOptions } from './gateway.ts';
