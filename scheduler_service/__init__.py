"""traincal: training calendars for 24/7 hotlines on rotating shifts."""

__version__ = "0.1.0"
