alpha alpha zeta lambda beta zeta
