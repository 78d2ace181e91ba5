"""Alerts when something fails (issue 39): the message, the channels (Slack, e-mail), the ledger that keeps them
from storming, and the `alerts` resource. The sensors that raise them are in customer360/defs/alerts/."""
