alpha omega alpha lambda beta kappa zeta
