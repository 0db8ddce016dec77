//! Editing the calendar (permission `manage_calendar`, audited): weekly hours, dated overrides,
//! festival date corrections.
