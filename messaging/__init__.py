"""Buyers and sellers writing to each other about a listing or a shipment, without sharing addresses."""
