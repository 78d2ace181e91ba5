"""Business profiles of the five customer segments: the knobs that shape the generated portfolio.

Each array is indexed by segment number (the position in `SEGMENTS`), so generators look values up with numpy
fancy indexing instead of looping over customers.
"""

from __future__ import annotations

import numpy as np

SEGMENTS = (
    "High-Value Travelers",
    "Stable Mid-Spenders",
    "Budget-Conscious",
    "New & Growing",
    "Declining",
)
HIGH_VALUE, STABLE, BUDGET, NEW_GROWING, DECLINING = range(len(SEGMENTS))
# Middle of each target range in the foundation issue (12.5 %, 45 %, 22.5 %, 12.5 %, 7.5 %).
SEGMENT_SHARES = np.array([0.125, 0.45, 0.225, 0.125, 0.075])

AGE_MEAN = np.array([46.0, 42.0, 34.0, 29.0, 48.0])
AGE_SD = np.array([9.0, 11.0, 11.0, 5.0, 12.0])
PREMIUM_SHARE = np.array([0.85, 0.30, 0.05, 0.20, 0.25])
# Credit limits in thousands (inclusive range); steps of 1,000 between 5,000 and 50,000.
CREDIT_LIMIT_K = np.array([[25, 50], [10, 30], [5, 12], [5, 15], [8, 30]])

# Transactions per active month at full activity; tuned so 50,000 customers x 18 months give ~13.5M rows.
MONTHLY_TXNS = np.array([29.0, 15.5, 10.0, 14.0, 16.0])

CATEGORIES = (
    "Travel", "Dining", "Groceries", "Gas", "Entertainment",
    "Shopping", "Utilities", "Healthcare", "Electronics", "Home Improvement",
)
# Share of a segment's transactions per category (rows sum to 1).
CATEGORY_MIX = np.array([
    [0.24, 0.20, 0.10, 0.05, 0.10, 0.12, 0.04, 0.04, 0.06, 0.05],
    [0.05, 0.15, 0.24, 0.12, 0.08, 0.14, 0.09, 0.05, 0.04, 0.04],
    [0.01, 0.08, 0.36, 0.18, 0.04, 0.10, 0.14, 0.06, 0.01, 0.02],
    [0.06, 0.20, 0.16, 0.08, 0.14, 0.18, 0.05, 0.03, 0.07, 0.03],
    [0.04, 0.12, 0.26, 0.14, 0.07, 0.13, 0.11, 0.06, 0.03, 0.04],
])
# Typical ticket per category in dollars, and how much each segment spends relative to it.
CATEGORY_TICKET = np.array([420.0, 48.0, 72.0, 45.0, 60.0, 95.0, 130.0, 110.0, 260.0, 150.0])
SEGMENT_TICKET_FACTOR = np.array([1.9, 1.0, 0.55, 0.8, 0.9])
TICKET_SIGMA = 0.6

CHANNELS = ("Online", "In-Store", "Mobile")
CHANNEL_MIX = np.array([
    [0.45, 0.35, 0.20],
    [0.30, 0.50, 0.20],
    [0.20, 0.65, 0.15],
    [0.35, 0.20, 0.45],
    [0.25, 0.55, 0.20],
])
APPROVAL_RATE = 0.97

MERCHANTS = {
    "Travel": ("Delta Air Lines", "United Airlines", "Marriott", "Hilton", "Expedia", "Airbnb", "Hertz", "Amtrak"),
    "Dining": ("Chipotle", "Starbucks", "Olive Garden", "Panera Bread", "Shake Shack", "Sweetgreen", "Domino's"),
    "Groceries": ("Whole Foods", "Kroger", "Trader Joe's", "Safeway", "Costco", "Aldi", "Publix"),
    "Gas": ("Shell", "Chevron", "ExxonMobil", "BP", "Speedway", "Wawa"),
    "Entertainment": ("Netflix", "Spotify", "AMC Theatres", "Ticketmaster", "Steam", "Disney+"),
    "Shopping": ("Amazon", "Target", "Walmart", "Macy's", "Nordstrom", "Etsy", "Zara"),
    "Utilities": ("Comcast", "Verizon", "AT&T", "Duke Energy", "PG&E", "T-Mobile"),
    "Healthcare": ("CVS Pharmacy", "Walgreens", "Kaiser Permanente", "LabCorp", "Quest Diagnostics"),
    "Electronics": ("Best Buy", "Apple Store", "Newegg", "B&H Photo", "Micro Center"),
    "Home Improvement": ("Home Depot", "Lowe's", "IKEA", "Wayfair", "Ace Hardware"),
}
