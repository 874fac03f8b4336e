"""Sign-in, token refresh and revocation, and turning a token into a principal."""
