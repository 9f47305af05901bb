/**
 * The channel-wide CVE map as a library: `auditChannel` for the CLI and the proxy (whose views
 * reuse its state: what affects each record, by file name and sha256), the result's types, and the
 * renderers.
 */
export {
  auditChannel,
  type ChannelAuditOptions,
  type ChannelAuditProgress,
  DEFAULT_BATCH_SIZE,
} from './audit-channel.ts';
export {
  CHANNEL_AUDIT_FORMATS,
  CHANNEL_AUDIT_SCHEMA,
  type ChannelAuditFormat,
  renderChannelAudit,
  renderChannelAuditHtml,
  renderChannelAuditJson,
  renderChannelAuditTable,
} from './render.ts';
export type * from './types.ts';
