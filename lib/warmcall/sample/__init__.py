"""Sample data: the seeded Northwind Research story and writers of real export layouts."""
