import { configureFeed, missingFeedStates } from '../../admin/feedConfig';
import { statusMappingsOf } from '../../erp/store/deparaTables';
import type { VitrineRow } from '../../erp/tables';
import { connectorFor } from '../../platform/connectors';
import { PlatformError } from '../../platform/types';
import type { CliContext } from '../context';

export interface FeedCheck {
  configured: boolean | null;
  configuredNow: boolean;
  missingStates: string[];
  message?: string;
}

/**
 * `vitrine enable`: without a feed configuration on the platform no order ever reaches the
 * queue, so enable says so (and --configure-feed configures it). A platform that cannot be asked
 * does not undo the switch: the line says the check could not be made.
 */
export async function checkFeedOnEnable(ctx: CliContext, vitrine: VitrineRow, configure: boolean): Promise<FeedCheck> {
  const connector = connectorFor(vitrine);
  const mappings = await statusMappingsOf(ctx.db, vitrine.id);
  try {
    let config = await connector.getFeedConfig();
    let configuredNow = false;
    if (configure && (config === null || missingFeedStates(config, mappings).length > 0)) {
      config = await configureFeed(connector, mappings);
      configuredNow = true;
      ctx.recordChange({ vitrine, action: 'feed.configure', after: config });
    }
    const missing = missingFeedStates(config, mappings);
    if (config === null) {
      return {
        configured: false,
        configuredNow,
        missingStates: missing,
        message: `warning: the platform has no feed configuration, so no order reaches the queue: vitrine enable ${vitrine.code} --configure-feed`,
      };
    }
    const message = configuredNow
      ? `feed configured on the platform for ${config.states.length} states`
      : missing.length
        ? `warning: the platform's feed leaves out states the status DE-PARA maps (${missing.join(', ')}): vitrine enable ${vitrine.code} --configure-feed`
        : undefined;
    return { configured: true, configuredNow, missingStates: missing, message };
  } catch (error) {
    if (!(error instanceof PlatformError)) throw error;
    return {
      configured: null,
      configuredNow: false,
      missingStates: [],
      message: `warning: the feed configuration could not be checked: ${error.message}`,
    };
  }
}
