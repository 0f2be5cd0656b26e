"""Second factors (等保 身份鉴别, issue 14 point 1): TOTP (django-otp) with one-time recovery codes.

Who must pass one (when `settings.TWO_FACTOR_REQUIRED`): every account that holds a grant (any role: officials,
the command center, department staff, administrators, grid staff) and every staff or superuser account. TOTP is
the cryptographic factor every one of them can use, grid workers on shared phones included; recovery codes are a
way back in, not a factor of their own (they do not count when deciding whether a factor may be removed).

- `services`: who must, the factors a person has, and every write (enrol, verify, regenerate, remove, reset);
- `middleware.SecondFactorMiddleware`: until verified, pages redirect to verify/enrol and the API answers 403;
- `views`, `urls` (/accounts/2fa/…), `admin.VerifiedAdminSite` (the admin asks for a verified user too).
"""
