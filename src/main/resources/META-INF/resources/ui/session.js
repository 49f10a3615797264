// The browser's session, shared by the dashboard's modules. A call answered 401 leads to sign-in, but only once
// GET /auth/me confirms that the session ended: setting the password (Preferences) signs out every session and
// hands this page a new cookie with its answer, so a poll that crossed the change with the old cookie was
// answered 401 while this page is still signed in. Such a 401 must not send the user to the sign-in page.
let renewal = null;
let checking = null;
// Signing out (the Sign out form) already leads to the sign-in page: a poll answered 401 meanwhile must not send the
// page to /login?next=... instead, racing the form's own navigation (DashboardIT, CI).
let signingOut = false;
document.addEventListener('submit', (e) => {
  if (e.target && e.target.id === 'sign-out-form') signingOut = true;
}, true);

/** Runs `change` (a call that renews this page's session cookie); 401s seen meanwhile wait for it. */
export async function renewingSession(change) {
  const pending = change();
  renewal = pending;
  try {
    return await pending;
  } finally {
    if (renewal === pending) renewal = null;
  }
}

/** A call was answered 401: to sign-in (and back here afterwards) if the session really ended. */
export function unauthorized() {
  if (signingOut) return Promise.resolve();
  if (!checking) {
    checking = (async () => {
      if (renewal) await renewal.catch(() => {});
      let me = null;
      try { me = await fetch('/auth/me', { headers: { Accept: 'application/json' } }); } catch (e) { /* offline */ }
      if ((!me || me.status === 401) && !signingOut) {
        window.location.assign('/login?next=' + encodeURIComponent(window.location.pathname));
      }
    })().finally(() => { checking = null; });
  }
  return checking;
}
