"""The HTTP edge: the FastAPI app (DESIGN §6), its routers, and the conversions to the contract's models."""
