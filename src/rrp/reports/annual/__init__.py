"""The annual statistics of the use of force (Use of Force Act s7, issue 16 item 7): see ``compute``."""

from rrp.reports.annual.compute import AnnualStatistics, annual_statistics, financial_year

__all__ = ["AnnualStatistics", "annual_statistics", "financial_year"]
