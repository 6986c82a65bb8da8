/** This release of migratable: recorded with every model version it writes (a test keeps it equal to package.json). */
export const MIGRATABLE_VERSION = '0.1.0';
