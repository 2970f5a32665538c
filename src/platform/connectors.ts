import type { PlatformConnector } from './types';
import { VtexConnector } from './vtex/connector';

/** The platforms the ERP can import from. New platforms add a connector here. */
export const PLATFORMS = ['vtex'] as const;
export type Platform = (typeof PLATFORMS)[number];

export interface VitrineConnection {
  platform: string;
  base_url: string;
  app_key: string;
  app_token: string;
}

export function connectorFor(vitrine: VitrineConnection): PlatformConnector {
  switch (vitrine.platform) {
    case 'vtex':
      return new VtexConnector(
        { baseUrl: vitrine.base_url, appKey: vitrine.app_key, appToken: vitrine.app_token },
        { timeoutMs: Number(process.env.PLATFORM_TIMEOUT_MS) || undefined },
      );
    default:
      throw new Error(`platform ${vitrine.platform} is not supported`);
  }
}
