// @ts-check
/** The Sign in screen. */

import { ApiError, NetworkError } from '../api.js';
import { signIn } from '../session.js';
import { afterSignIn, showOtpStep } from './otp.js';
import { renderSignIn } from '../views/sign-in.js';
import { offerSchoolSignIn } from './school-sign-in.js'; // school sign-in (issue 14)

/**
 * @param {import('../app.js').Ctx} ctx
 * @returns {Promise<import('../app.js').Screen>}
 */
export async function signInScreen(ctx) {
  const ended = ctx.session && ctx.session.ended;
  const node = renderSignIn({
    online: ctx.online,
    email: ctx.session ? ctx.session.user.email : '',
    message: ended ? 'Your sign-in has ended. Sign in again: your unsent changes are kept and will be sent.' : '',
  }, {
    async onSubmit(email, password) {
      try {
        afterSignIn(ctx, await signIn(email, password));
        return null;
      } catch (error) {
        // -- the second factor's step (screens/otp.js) --
        if (error instanceof ApiError && error.code === 'mfa_required') {
          showOtpStep(ctx, screen, email, password);
          return null;
        }
        // -- end of the second factor's step --
        if (error instanceof NetworkError) return 'No connection to your school’s server. Signing in needs a connection the first time.';
        if (error instanceof ApiError) return error.message;
        return error instanceof Error ? error.message : String(error);
      }
    },
  });
  const screen = { title: 'Lesson Loop', tab: 'signin', hideTabs: true, node: offerSchoolSignIn(node) };
  return screen;
}
