omega alpha lambda omega beta theta alpha zeta
