"""Operations on the database for an explicit user: no request, no Flask, one transaction per call."""
