export * from "./settings.js";
export * from "./reconcile.js";
export * from "./ldap.js";
export * from "./scim.js";
export * from "./service.js";
export * from "./sync.js";
