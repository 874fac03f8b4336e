"""What the API and web routers share: dependencies, middleware, error responses."""
