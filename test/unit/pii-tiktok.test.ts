import { describe, expect, it } from 'vitest';
import { DESTINATION_PROFILES } from '../../pii/rules/profiles';
import { normalizeTiktokEmail, normalizeTiktokMaid, normalizeTiktokPhone } from '../../pii/rules/tiktok';

/** The TikTok profile's encoding, as production applies it. */
const tiktokHash = DESTINATION_PROFILES.tiktok.encode;

/** Truth: TikTok Ads Manager help, "How to create a Custom Audience with a customer file", supported-ID table (hashed examples). */
describe('TikTok identifiers (published hashed examples)', () => {
  it('email: remove spaces, lowercase, SHA-256 hex', () => {
    for (const input of ['janedoe@gmail.com', ' JaneDoe@Gmail.com ', 'jane doe@gmail.com']) {
      const outcome = normalizeTiktokEmail(input);
      expect(outcome).toEqual({ kind: 'normalized', value: 'janedoe@gmail.com' });
    }
    expect(tiktokHash('janedoe@gmail.com')).toBe('d6117306485ed0e50afab3ac871e98f81699151f30281527d63ff5f233656c69');
  });

  it('phone: E.164 digits hashed without the "+", as the published hash shows', () => {
    expect(normalizeTiktokPhone('+37493828222', 'US')).toEqual({ kind: 'normalized', value: '37493828222' });
    expect(tiktokHash('37493828222')).toBe('65b7e6dcf6f4310f8d7cbfbd78289a753062fb054d6664fb9aaac5df66a422d4');
    expect(normalizeTiktokPhone('(657) 777-0000', 'US')).toEqual({ kind: 'normalized', value: '16577770000' });
    expect(normalizeTiktokPhone('+1 657 777 0000', 'US')).toEqual({ kind: 'normalized', value: '16577770000' });
  });

  it('MAID (IDFA/GAID): trim, lowercase, keep dashes', () => {
    expect(normalizeTiktokMaid(' 5F3A2B18-9C4D-4E7F-B8E2-17D3A1E69B25 ')).toEqual({ kind: 'normalized', value: '5f3a2b18-9c4d-4e7f-b8e2-17d3a1e69b25' });
    expect(tiktokHash('5f3a2b18-9c4d-4e7f-b8e2-17d3a1e69b25')).toBe('83dc3f5f32b9472613b0f038d36f22585a609d018af6f6067f50da318bf354bd');
  });

  it('passes SHA-256 hex through (lowercased) and rejects invalid values with a reason', () => {
    const hex = 'D6117306485ED0E50AFAB3AC871E98F81699151F30281527D63FF5F233656C69';
    expect(normalizeTiktokEmail(hex)).toEqual({ kind: 'prehashed', value: hex.toLowerCase() });
    expect(normalizeTiktokPhone(hex, 'US').kind).toBe('prehashed');
    expect(normalizeTiktokMaid(hex).kind).toBe('prehashed');
    expect(normalizeTiktokEmail('not-an-email')).toEqual({ kind: 'rejected', reason: 'not an email address' });
    expect(normalizeTiktokPhone('555', 'US').kind).toBe('rejected');
    expect(normalizeTiktokMaid('00000000-0000-0000-0000')).toEqual({ kind: 'rejected', reason: 'not a mobile advertising id (UUID)' });
    expect(normalizeTiktokMaid('')).toEqual({ kind: 'rejected', reason: 'empty' });
  });
});
