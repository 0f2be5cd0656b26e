// After a passkey is registered (django-otp-webauthn's script fires the event), go where the page says: the
// recovery codes of a first factor, or the security page.
document.addEventListener("otp_webauthn.register_complete", () => {
  const box = document.querySelector("[data-webauthn-after]");
  if (box) window.location.href = box.dataset.webauthnAfter;
});
