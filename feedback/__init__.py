"""Buyers' ratings of sellers after delivery, sellers' answers, and each shop's standing."""
