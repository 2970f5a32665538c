/**
 * The VTEX contract (contracts/vtex/orders-api.openapi.json) as ajv validators, for tests that
 * check what the simulator answers and what the connector sends.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

type Json = any;
export const spec: Json = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'contracts/vtex/orders-api.openapi.json'), 'utf8'));
export const ORDER_PATH = '/api/oms/pvt/orders/{orderId}';

// The contract types packageAttachment.packages as strings, while its own example (and VTEX) sends
// package objects: the example is taken as the truth, and each package is checked against it.
const patched: Json = JSON.parse(JSON.stringify(spec));
patched.components.schemas.PackageAttachment.properties.packages.items = { type: 'object' };

/**
 * Where VTEX sends null although the contract types a string: an order a marketplace (affiliate)
 * settles has no seller order id or order group, and its one payment ("Assumed value by affiliate
 * ...") no transaction, id, payment system, group or tid (docs/MARKETPLACES.md). The simulator
 * serves such orders; these fields, and only these, are allowed to be null.
 */
export const MARKETPLACE_NULLS = {
  order: ['sellerOrderId', 'orderGroup'],
  transaction: ['transactionId', 'merchantName'],
  payment: ['id', 'paymentSystem', 'group', 'tid'],
} as const;
const nullable = (properties: Json, names: readonly string[]) => {
  for (const name of names) {
    const property = properties[name];
    property.nullable = true;
    if (property.enum) property.enum = [...property.enum, null];
  }
};
const getOrder = patched.paths[ORDER_PATH].get.responses['200'].content['application/json'].schema;
nullable(getOrder.properties, MARKETPLACE_NULLS.order);
const transaction = patched.components.schemas.PaymentDataUpdated.properties.transactions.items;
nullable(transaction.properties, MARKETPLACE_NULLS.transaction);
nullable(transaction.properties.payments.items.properties, MARKETPLACE_NULLS.payment);

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(patched, 'vtex');

const segment = (s: string) => encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'));

export function responseSchema(apiPath: string, method: string, status: string, type = 'application/json'): ValidateFunction {
  const ref = `vtex#/paths/${segment(apiPath)}/${method}/responses/${status}/content/${segment(type)}/schema`;
  const validate = ajv.getSchema(ref);
  assert.ok(validate, `no schema at ${ref}`);
  return validate;
}

export function requestSchema(apiPath: string, method: string): ValidateFunction {
  const ref = `vtex#/paths/${segment(apiPath)}/${method}/requestBody/content/${segment('application/json')}/schema`;
  const validate = ajv.getSchema(ref);
  assert.ok(validate, `no schema at ${ref}`);
  return validate;
}

export function assertValid(validate: ValidateFunction, data: unknown, what: string): void {
  assert.ok(validate(data), `${what}: ${ajv.errorsText(validate.errors, { separator: '\n' })}`);
}

/** The example package of the contract's Get order answer: every package the simulator shows has its fields. */
export const EXAMPLE_PACKAGE: Json =
  spec.paths[ORDER_PATH].get.responses['200'].content['application/json'].example.packageAttachment.packages[0];
