# Shared words used across the platform.
test-greeting = Hello, { $name }
app-name = Egret
app-tagline = City ESG platform
synthetic-data = Synthetic demo data
yes = Yes
no = No
none = None
