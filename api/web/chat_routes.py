"""Routes: chat routes (placeholder router, filled in by its area)."""

from fastapi import APIRouter

router = APIRouter()
