// Download defaults, apart from the downloader so that declaring the CLI's options loads no network code.

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_RETRIES = 3;
