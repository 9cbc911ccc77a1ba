"""The union's figures (统计): what unions report each year, kept current by the workers."""
