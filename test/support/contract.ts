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
