/**
 * The English catalogue. Its keys are the catalogue's type (`MessageKey`):
 * the Turkish one (./tr.ts) must have exactly these keys, or it does not
 * compile. `{name}` marks a parameter (see `t` in ./index.ts).
 */
export const en = {
  "app.name": "LogMaster",
  "app.tagline": "Log custody for hotel chains (Law 5651)",
  "app.skipToContent": "Skip to content",

  "lang.label": "Language",
  "zone.label": "Time zone",
  "zone.istanbul": "Istanbul",
  "zone.utc": "UTC",

  "nav.label": "Main",
  "nav.overview": "Overview",
  "nav.search": "Search",
  "nav.live": "Live tail",
  "nav.lookups": "5651 lookups",
  "nav.custody": "Custody",
  "nav.devices": "Devices",
  "nav.agents": "Agents & enrollment",
  "nav.hotels": "Hotels",
  "nav.users": "Users",
  "nav.audit": "Audit log",

  "role.chain_admin": "Chain admin",
  "role.hotel_manager": "Hotel manager",
  "role.auditor": "Auditor",
  "role.hotel_it": "Hotel IT",

  "user.menu": "Account",
  "user.signedInAs": "Signed in as {name}",
  "user.logout": "Log out",
  "scope.all": "All hotels ({count})",
  "scope.label": "Hotels you see",

  "login.title": "Sign in",
  "login.subtitle": "Use the account your chain admin gave you.",
  "login.username": "User name",
  "login.password": "Password",
  "login.totp": "6-digit code",
  "login.totpHelp":
    "This account has a second factor: enter the code shown in your authenticator app.",
  "login.submit": "Sign in",
  "login.verify": "Verify",
  "login.back": "Use another account",
  "login.working": "Signing in…",
  "login.sessionEnded": "Your session ended. Please sign in again.",

  "error.unauthorized": "Please sign in.",
  "error.invalid_credential": "The user name, password or code is not right.",
  "error.totp_required": "Enter the code from your authenticator app.",
  "error.forbidden": "Your role may not do this.",
  "error.not_found": "Not found, or not one of your hotels.",
  "error.invalid_request": "The request is not valid: {detail}",
  "error.too_many_requests": "Too many attempts. {detail}",
  "error.internal_error": "The hub could not answer. Try again in a moment.",
  "error.network": "The hub cannot be reached. Check the connection and try again.",
  "error.unknown": "Something went wrong: {detail}",
  "error.retry": "Try again",

  "state.loading": "Loading…",
  "state.comingSoon": "Coming in a later release",
  "state.comingSoonBody":
    "This page is planned and not built yet. The same data is available today through the API ({link}) and the command line.",
  "state.notFound": "Not found",
  "state.notFoundBody":
    "There is no such page, or it belongs to a hotel that is not in your account.",
  "state.backToOverview": "Back to the overview",
  "state.noHotels": "No hotels yet",
  "state.noHotelsBody":
    "Your account is bound to no hotel, or the chain has none yet. A chain admin adds hotels and enrolls their agents.",

  "overview.title": "Overview",
  "overview.summary": "{hotels} hotels · {problems} need attention",
  "overview.healthy": "No problems",
  "overview.allGood": "All hotels are healthy.",
  "overview.updated": "Updated {time}",
  "overview.refresh": "Refresh",
  "overview.agents": "Agents",
  "overview.certificate": "Certificate",
  "overview.events": "Events today",
  "overview.rate": "{rate}/s now",
  "overview.lastChunk": "Last sealed hour",
  "overview.problems": "Needs attention",
  "overview.noAgent": "No agent enrolled",
  "overview.noChunk": "No sealed hour yet",
  "overview.sparkline": "Events per half hour over the last 24 hours, {total} in all",
  "overview.legalHold": "Legal hold",
  "overview.retention": "Kept {days} days",

  "agent.ok": "Online",
  "agent.silent": "Offline since {since}",
  "agent.never_seen": "Never connected",
  "agent.revoked": "Revoked",
  "agent.certificate_expired": "Certificate expired",
  "agent.certificate_expiring": "Online, certificate ends soon",
  "agent.lastSeen": "Last seen {time}",
  "agent.skew": "Clock off by {seconds} s",
  "agent.skewHelp":
    "The agent's clock differs from the hub's by more than 2 seconds: check its time source (NTP).",

  "chunk.verified": "Verified",
  "chunk.failed": "Verification failed",
  "chunk.open": "Open",
  "chunk.timestamped": "Time-stamped",
  "chunk.awaiting": "Awaiting time-stamp",
  "chunk.timestampFailed": "Time-stamp failed",
  "chunk.records": "{count} lines",

  "problem.agentDown": "Agent offline",
  "problem.agentNever": "Agent never connected",
  "problem.agentRevoked": "Agent revoked",
  "problem.certExpired": "Certificate expired",
  "problem.certExpiring": "Certificate ends soon",
  "problem.noAgent": "No agent",
  "problem.chunkFailed": "Verification failed",
  "problem.timestampFailed": "Time-stamp failed",
  "problem.skew": "Clock skew",

  "hotel.title": "{hotel}",
  "hotel.agents": "Agents",
  "hotel.agent": "Agent",
  "hotel.host": "Host",
  "hotel.state": "State",
  "hotel.lastSeen": "Last seen",
  "hotel.certificate": "Certificate ends",
  "hotel.skew": "Clock skew",
  "hotel.recentChunks": "Recent hours",
  "hotel.chunk": "Hour",
  "hotel.seal": "Seal",
  "hotel.records": "Lines",
  "hotel.sealedAt": "Sealed",
  "hotel.noAgents": "No agent is enrolled for this hotel yet.",
  "hotel.noChunks": "No hour has been sealed yet.",
  "hotel.events24h": "Events in the last 24 hours",

  "time.never": "never",
  "time.justNow": "just now",
} as const;

/** A message of the catalogue. */
export type MessageKey = keyof typeof en;
/** A language's catalogue: every key of the English one, no other. */
export type Catalogue = { readonly [key in MessageKey]: string };
