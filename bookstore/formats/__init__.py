"""The site's date formats, one set per language (settings.FORMAT_MODULE_PATH).

Templates and emails use only the names: "DATE_FORMAT" for a day, "DATETIME_FORMAT" for a moment,
"YEAR_MONTH_FORMAT" for a month; never a format string of their own. The short formats are the same as the
long ones so that a date reads the same in a table as in a sentence. Numbers keep Django's formats.
"""
