alpha lambda sigma
