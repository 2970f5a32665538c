import { openSecret } from '../shared/secrets';
import type { PlatformConnector } from './types';
import { pacerFor } from './pacing';
import { VtexConnector } from './vtex/connector';

/** The platforms the ERP can import from. New platforms add a connector here. */
export const PLATFORMS = ['vtex'] as const;
export type Platform = (typeof PLATFORMS)[number];

export interface VitrineConnection {
  platform: string;
  base_url: string;
  code: string;
  app_key: string;
  /** Sealed (src/shared/secrets.ts): opened here, where the request is made. */
  app_token_encrypted: string;
  /** The account's Get order limit a minute; absent: VTEX's 6,000. */
  get_order_limit_per_minute?: number;
}

/** VTEX: "up to 6000 requests per minute" on Get order, per account (contracts/vtex). */
export const VTEX_GET_ORDER_LIMIT_PER_MINUTE = 6000;

export function connectorFor(vitrine: VitrineConnection): PlatformConnector {
  switch (vitrine.platform) {
    case 'vtex':
      return new VtexConnector(
        {
          baseUrl: vitrine.base_url,
          appKey: vitrine.app_key,
          appToken: openSecret(vitrine.app_token_encrypted, `the app token of vitrine ${vitrine.code}`),
        },
        {
          timeoutMs: Number(process.env.PLATFORM_TIMEOUT_MS) || undefined,
          // One pace per account and process, whichever vitrine or run calls it.
          getOrderPacer: pacerFor(
            vitrine.base_url.replace(/\/+$/, ''),
            vitrine.get_order_limit_per_minute ?? VTEX_GET_ORDER_LIMIT_PER_MINUTE,
          ),
        },
      );
    default:
      throw new Error(`platform ${vitrine.platform} is not supported`);
  }
}
