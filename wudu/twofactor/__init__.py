"""Second factors (等保 身份鉴别, issue 14 point 1): TOTP (django-otp), WebAuthn passkeys and security keys
(django-otp-webauthn, `webauthn`), and one-time recovery codes.

Who must pass one (when `settings.TWO_FACTOR_REQUIRED`): every account that holds a grant (any role: officials,
the command center, department staff, administrators, grid staff) and every staff or superuser account. Each may
use TOTP or WebAuthn (both cryptographic); TOTP works for everyone, grid workers on shared phones included.
Recovery codes are a way back in, not a factor of their own (they do not count when deciding whether a factor may
be removed).

- `services`: who must, the factors a person has, and every write (enrol, verify, regenerate, remove, reset);
- `middleware.SecondFactorMiddleware`: until verified, pages redirect to verify/enrol and the API answers 403;
- `views`, `urls` (/accounts/2fa/…), `webauthn` (/accounts/2fa/webauthn/…, the package's ceremonies, audited),
  `admin.VerifiedAdminSite` (the admin asks for a verified user too).
"""
