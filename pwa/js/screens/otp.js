// @ts-check
/** The sign-in screen's second step, when login answers mfa_required (screens/sign-in.js). */

import { ApiError, NetworkError } from '../api.js';
import { signIn } from '../session.js';
import { renderOtp } from '../views/otp.js';

/**
 * Signed in; someone whose school requires a second factor they have not set up goes to
 * Settings to set it up (until then the server answers only that).
 * @param {import('../app.js').Ctx} ctx
 * @param {import('../session.js').Session} session
 */
export function afterSignIn(ctx, session) {
  ctx.signedIn(session);
  if (!session.mfa_enrolment_required) return;
  ctx.navigate('#/settings');
  ctx.toast('Your school asks you to set up a second factor before Lesson Loop can sync.');
}

/**
 * Put the code step in place of the sign-in form.
 * @param {import('../app.js').Ctx} ctx
 * @param {{node: HTMLElement}} screen the sign-in screen
 * @param {string} email
 * @param {string} password
 */
export function showOtpStep(ctx, screen, email, password) {
  const node = renderOtp({ email }, {
    async onSubmit(otp) {
      try {
        afterSignIn(ctx, await signIn(email, password, otp));
        return null;
      } catch (error) {
        if (error instanceof NetworkError) return 'No connection to your school’s server. Try again when you are online.';
        if (error instanceof ApiError) return error.message;
        return error instanceof Error ? error.message : String(error);
      }
    },
    onBack: () => ctx.navigate('#/signin'),
  });
  screen.node.replaceWith(node);
  screen.node = node;
  const input = node.querySelector('input');
  if (input) input.focus();
}
