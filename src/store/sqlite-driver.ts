// The one place that loads better-sqlite3. No single release of it runs on every Node the bridge supports:
//  - 13.x is built on Node-API (node-addon-api) and ships prebuilt binaries inside its npm package (nothing
//    is compiled at install), but those need Node-API 10: on Node 20 (Node-API 9) loading one segfaults.
//  - 12.x (node::ObjectWrap, compiled at install) works on Node 20 and 22, but on Node 24 its Statement
//    destructor calls RemoveEnvironmentCleanupHook with no Environment when a statement is collected outside
//    a JavaScript context (a worker thread ending, an idle GC) and the process aborts (SIGABRT) - the WAL
//    checkpointer's worker hits that.
// So 13.x (package `better-sqlite3`) is used wherever Node-API 10 exists, and 12.x (the optional alias
// `better-sqlite3-node20`) only below it. The choice is by capability, not by version string, and a segfault
// cannot be caught, so it is made before anything is loaded. Both have the same API; the types are 13's.
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import { StoreError } from './errors.js';

/** The Node-API version 13.x's prebuilt binaries are compiled for. */
const NAPI_FOR_CURRENT = 10;

export const SQLITE_PACKAGES = { current: 'better-sqlite3', legacy: 'better-sqlite3-node20' } as const;

/** The package to load on a Node whose process.versions.napi is `napi`. */
export function sqlitePackageFor(napi: string | undefined): string {
  const version = Number.parseInt(napi ?? '', 10);
  return Number.isFinite(version) && version < NAPI_FOR_CURRENT ? SQLITE_PACKAGES.legacy : SQLITE_PACKAGES.current;
}

const require = createRequire(import.meta.url);

/** The package name this process uses and its resolved entry point (a worker thread loads the same one). */
export const sqliteDriver: { readonly name: string; readonly path: string } = (() => {
  const name = sqlitePackageFor(process.versions.napi);
  try {
    return { name, path: require.resolve(name) };
  } catch (err) {
    throw new StoreError(
      'STORE_DRIVER_MISSING',
      `${name} is not installed, and Node ${process.versions.node} (Node-API ${process.versions.napi ?? '?'}) needs it: ` +
        'reinstall the dependencies with this Node (npm ci) with optional dependencies included',
      { cause: err },
    );
  }
})();

// require() returns an untyped value; both packages export the same class, typed once here.
const Database = require(sqliteDriver.path) as typeof BetterSqlite3;
export default Database;

export type SqliteDatabase = BetterSqlite3.Database;
