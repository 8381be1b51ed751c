kappa lambda omega zeta
