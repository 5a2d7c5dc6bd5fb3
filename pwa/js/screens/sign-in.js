// @ts-check
/** The Sign in screen. */

import { ApiError, NetworkError } from '../api.js';
import { signIn } from '../session.js';
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
        ctx.signedIn(await signIn(email, password));
        return null;
      } catch (error) {
        if (error instanceof NetworkError) return 'No connection to your school’s server. Signing in needs a connection the first time.';
        if (error instanceof ApiError) return error.message;
        return error instanceof Error ? error.message : String(error);
      }
    },
  });
  return { title: 'Lesson Loop', tab: 'signin', hideTabs: true, node: offerSchoolSignIn(node) };
}
