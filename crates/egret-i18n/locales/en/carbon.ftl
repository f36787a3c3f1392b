# Carbon accounting: factor library, activity data and calculation messages.
