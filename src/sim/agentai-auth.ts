// How the fake Agent AI checks a hooks JWT: HS256 signed with the bot's client secret, carrying
// appId = client id (facts.md 1.1). exp is enforced when present, as jose does by default.
import { errors, jwtVerify } from 'jose';

export interface BotSecret {
  readonly clientId: string;
  readonly clientSecret: string;
}

/** Returns why the token is refused, or undefined when it is good. Never echoes the token itself. */
export async function tokenProblem(token: string | undefined, bot: BotSecret): Promise<string | undefined> {
  if (token === undefined || token === '') return 'missing JWT header';
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(bot.clientSecret), { algorithms: ['HS256'] });
    if (payload['appId'] !== bot.clientId) return `JWT appId ${JSON.stringify(payload['appId'] ?? null)} is not the bot's clientId`;
    return undefined;
  } catch (err) {
    if (err instanceof errors.JOSEError) return `JWT rejected (${err.code})`;
    return 'JWT rejected';
  }
}
