"""Sign-in with the school's OpenID provider (Google Workspace, Microsoft Entra, any OIDC)."""
