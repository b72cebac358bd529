/** How much harm misuse of a server or tool can do; drives default policy rules and cache TTLs. */
export type Sensitivity = "low" | "medium" | "high" | "critical";
