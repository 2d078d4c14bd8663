/** The exposition content types, written out here so the tests check src against the formats. */
export const PROMETHEUS_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
export const OPENMETRICS_ACCEPT = 'application/openmetrics-text; version=1.0.0';
